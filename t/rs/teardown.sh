#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
# Run by t/run-apache-test.sh when the suite ends (also on failure).
exec perl "$(dirname "$0")/as-ctl" stop
