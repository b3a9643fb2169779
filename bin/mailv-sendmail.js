#!/usr/bin/env -S MAILV_NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS} NODE_EXTRA_CA_CERTS= node
'use strict';
// mailv-sendmail: mailv with sendmail's command line, for programs that run /usr/sbin/sendmail
// (cron, git send-email, mutt, s-nail, PHP's mail()). bin/mailv.js tells it by this file's name.
// The line above as bin/mailv.js's, which says why.
require('./mailv.js');
