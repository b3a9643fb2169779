#!/usr/bin/env node
'use strict';
// mailv-sendmail: mailv with sendmail's command line, for programs that run /usr/sbin/sendmail
// (cron, git send-email, mutt, s-nail, PHP's mail()). bin/mailv.js tells it by this file's name.
require('./mailv.js');
