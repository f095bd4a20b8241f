# Tests of asyncdemoctl's engines and subcommands.
#
# Unit tests of the ctl's I/O-side helpers that are pure (ctl/answer_scan, transfer's classification,
# target's messages, progress's line). They sit here rather than in tests/unit/ctl.cmake because that
# file belongs to the ctl's core; ad_unit_test is defined by tests/unit, which CMake reads first.
set(AD_CTL_SRC ${PROJECT_SOURCE_DIR}/ctl)
ad_unit_test(test_answer_scan SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_answer_scan.c ${AD_CTL_SRC}/answer_scan.c
             LIBS asyncdemoctl_core)
ad_unit_test(test_transfer
             SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_transfer.c ${AD_CTL_SRC}/transfer.c
                     ${AD_CTL_SRC}/answer_scan.c ${AD_CTL_SRC}/engine_stop.c
             LIBS asyncdemoctl_core PkgConfig::CURL)
ad_unit_test(test_target SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_target.c ${AD_CTL_SRC}/target.c
             LIBS asyncdemoctl_core PkgConfig::CURL)
ad_unit_test(test_progress SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_progress.c ${AD_CTL_SRC}/progress.c
             LIBS asyncdemoctl_core)

# Integration tests: tests/integration/test_ctl_<name>.py run asyncdemoctl against the real daemon on
# a free loopback port (harness.py). name -> timeout in seconds; timing-sensitive ones run alone.
set(AD_CTL_ITESTS bench:120 compare:120 json:90 errors:60 notify:60 stats:60 load:120 http:90)
set(AD_CTL_ITESTS_SERIAL bench compare load)

foreach(entry IN LISTS AD_CTL_ITESTS)
    string(REPLACE ":" ";" entry "${entry}")
    list(GET entry 0 name)
    list(GET entry 1 timeout)
    add_test(NAME integration.ctl.${name}
             COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/test_ctl_${name}.py -v)
    set_tests_properties(integration.ctl.${name} PROPERTIES
        LABELS integration
        TIMEOUT ${timeout}
        ENVIRONMENT "ASYNCDEMOD=$<TARGET_FILE:asyncdemod>;ASYNCDEMOCTL=$<TARGET_FILE:asyncdemoctl>;ASYNCDEMO_VERSION=${PROJECT_VERSION};ASYNCDEMO_SOURCE_DIR=${PROJECT_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
    if(name IN_LIST AD_CTL_ITESTS_SERIAL)
        set_tests_properties(integration.ctl.${name} PROPERTIES RUN_SERIAL TRUE)
    endif()
endforeach()
