#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
# Run by t/run-apache-test.sh before httpd starts (sh t/rs/setup.sh):
# the authorization server of t/rs/*.t and t/proxy/rs.t
# (node-oidc-provider, t/oidc/), owned by the run script (its parent),
# so that it also goes away if the run script is killed.  httpd needs
# its port when it reads t/conf/rs.conf.in.  t/rs/teardown.sh stops it.
exec perl "$(dirname "$0")/as-ctl" start "$PPID"
