# Tests of asyncdemoctl's engines and subcommands.
#
# Integration tests: tests/integration/test_ctl_<name>.py run asyncdemoctl against the real daemon on
# a free loopback port (harness.py). name -> timeout in seconds; timing-sensitive ones run alone.
set(AD_CTL_ITESTS bench:120 compare:120 json:90 errors:60 notify:60 stats:60 load:120 http:90 faults:240 shape:30 tls:60)
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
