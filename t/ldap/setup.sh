#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
# Run by t/run-apache-test.sh before httpd starts (sh t/ldap/setup.sh):
# slapd for t/ldap/*.t, owned by the run script (its parent), so that it
# also goes away if the run script is killed.  t/ldap/teardown.sh stops it.
exec sh "$(dirname "$0")/start-for-tests.sh" start "$PPID"
