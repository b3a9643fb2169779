// What mailv-sendmail -bp prints: Postfix's mailq words for an empty queue, in English in every
// language, since the scripts that watch a queue read them (mailv-sendmail keeps no queue).
export const emptyQueue = 'Mail queue is empty';
