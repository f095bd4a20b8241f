# regression unit tests for what the fuzzers (tests/fuzz/) found (ad_unit_test calls)
# answer_scan.c is compiled into asyncdemoctl itself, not into a library.
ad_unit_test(test_fuzz_regressions SOURCES test_fuzz_regressions.c ${PROJECT_SOURCE_DIR}/ctl/engine/answer_scan.c
             LIBS asyncdemoctl_core)
