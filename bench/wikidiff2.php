<?php
// MediaWiki's diff engine (Debian php-wikidiff2) on two files, as bench/run's
// wikidiff2 rows time it: the inline JSON diff (paragraphs, words, moved
// paragraphs), the closest peer to `redline compare --format json`.
// usage: php bench/wikidiff2.php OLD NEW > diff.json
echo wikidiff2_inline_json_diff(file_get_contents($argv[1]), file_get_contents($argv[2]), 2), "\n";
