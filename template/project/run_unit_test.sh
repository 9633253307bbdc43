#!/usr/bin/env sh
# Runs the tests of one service (./run_unit_test.sh rfm_segment), or of all of them.
set -e
exec pam test "$@"
