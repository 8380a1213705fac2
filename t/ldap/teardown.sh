#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
# Run by t/run-apache-test.sh when the suite ends (also on failure).
exec sh "$(dirname "$0")/start-for-tests.sh" stop
