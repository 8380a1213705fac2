#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Key for the AuthType Challenge end-to-end tests (t/challenge/*.t,
# t/clients/*.t, t/proxy/challenge.t, t/proxy/stacked.t,
# t/conf/challenge.conf.in).  httpd reads
# AuthChallengeBearerKey files with its configuration, so this runs
# before Apache-Test starts the server (t/run-apache-test.sh runs every
# t/*/setup.sh after it has made t/var afresh).
#
#   t/challenge/setup.sh [DIR]        default DIR: t/var/challenge
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
sh "$top/t/lib/hs256-key.sh" "${1:-$top/t/var/challenge}"
