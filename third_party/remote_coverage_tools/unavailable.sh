#!/bin/sh
echo "remote_coverage_tools is a stand-in (no internet at build time):" >&2
echo "use gcov/lcov directly for combined coverage reports." >&2
exit 1
