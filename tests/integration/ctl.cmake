# Tests of asyncdemoctl's engines and subcommands.
#
# Integration tests: tests/integration/test_ctl_<name>.py run asyncdemoctl against the real daemon on
# a free loopback port (harness.py). name -> timeout in seconds; timing-sensitive ones run alone.
set(AD_CTL_ITESTS bench:120 compare:120 json:90 report:30 load_shape:30 errors:60 notify:60 stats:60 load:120 http:90 faults:240
    shape:30 tls:60 h2:40 servers:30)
set(AD_CTL_ITESTS_SERIAL bench compare load load_shape)

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

# bench --html and report --html in Debian's headless chromium (tests/integration/browser.py; Debian's
# /usr/bin/python3 with python3-websocket); leaves a screenshot in this build directory as ctl-report.png.
# Not in a sanitized build: the page is written by the code the ASan run covers through
# integration.ctl.i18n (report --html there too); the browser only looks at it. Not timed: runs beside
# the others.
if(NOT ASYNCDEMO_SANITIZE)
    add_test(NAME integration.ctl.html COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_ctl_html.py -v)
    set_tests_properties(integration.ctl.html PROPERTIES LABELS integration TIMEOUT 90
        ENVIRONMENT "ASYNCDEMOD=$<TARGET_FILE:asyncdemod>;ASYNCDEMOCTL=$<TARGET_FILE:asyncdemoctl>;ASYNCDEMO_VERSION=${PROJECT_VERSION};ASYNCDEMO_SOURCE_DIR=${PROJECT_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1;AD_ARTIFACT_DIR=${CMAKE_CURRENT_BINARY_DIR}")
endif()
