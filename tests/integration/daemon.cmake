# integration tests of asyncdemod: tests/integration/test_<name>.py, each against the real daemon on a
# free loopback port (harness.py). Run them with: ctest --test-dir BUILD -L integration
#
# name -> timeout in seconds. Timing-sensitive ones run alone (RUN_SERIAL) even under ctest -j.
set(AD_DAEMON_ITESTS
    lesson:60 answers:60 protocols:60 httpbin:60 metrics:60 bad_input:120 stats:60 cancel:60
    offload_pool:60 flags:120 signals:60 systemd_notify:60 socket_activation:60 threads:60 tls:30
    limits:90 timeouts:90 faults:120 drain_load:120 security:60 hostile:120 bodies:90 h2_heads:60 varying_delays:60
    injected_faults:30 status_codes:30 drip:30 bytes:30 anything:30 stream:30)
set(AD_DAEMON_ITESTS_SERIAL lesson stats cancel offload_pool signals systemd_notify threads limits timeouts faults
    drain_load hostile tls bodies varying_delays injected_faults drip)
# Tests that write HTTP/2 frames by hand need python3-h2 (hyperframe), which Debian installs for its own
# /usr/bin/python3 only (packaging/install-deps.sh); the Python3 found first on PATH may lack it.
set(AD_DAEMON_ITESTS_H2 hostile varying_delays bodies)
# A burst of TLS handshakes behind a blocked loop: timing-sensitive, alone.
list(APPEND AD_DAEMON_ITESTS tls_burst:30)
list(APPEND AD_DAEMON_ITESTS_SERIAL tls_burst)
find_program(AD_DEBIAN_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)

foreach(entry IN LISTS AD_DAEMON_ITESTS)
    string(REPLACE ":" ";" entry "${entry}")
    list(GET entry 0 name)
    list(GET entry 1 timeout)
    set(python Python3::Interpreter)
    if(name IN_LIST AD_DAEMON_ITESTS_H2 AND AD_DEBIAN_PYTHON3)
        set(python ${AD_DEBIAN_PYTHON3})
    endif()
    add_test(NAME integration.daemon.${name} COMMAND ${python} ${CMAKE_CURRENT_SOURCE_DIR}/test_${name}.py -v)
    set_tests_properties(integration.daemon.${name} PROPERTIES
        LABELS integration
        TIMEOUT ${timeout}
        ENVIRONMENT "ASYNCDEMOD=$<TARGET_FILE:asyncdemod>;ASYNCDEMO_VERSION=${PROJECT_VERSION};PYTHONDONTWRITEBYTECODE=1")
    if(name IN_LIST AD_DAEMON_ITESTS_SERIAL)
        set_tests_properties(integration.daemon.${name} PROPERTIES RUN_SERIAL TRUE)
    endif()
endforeach()
