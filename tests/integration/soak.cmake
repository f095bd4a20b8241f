# The 1-minute soak (bench/soak/run.sh; bench/README.md, "Soak"): asyncdemod under a steady mixed load,
# HTTP/1.1 and HTTP/2, with bad requests and random disconnects; fails on any unexpected error, RSS
# growth over 5%, descriptors not back to idle, latency drift, inconsistent /stats counters or an unclean
# exit. Label soak (not integration); alone on the machine (RUN_SERIAL). Plain builds only: ASan's
# quarantine grows RSS. Needs Debian's /usr/bin/python3 with python3-h2. Run it with:
#   ctest --test-dir BUILD -L soak --output-on-failure
if(NOT ASYNCDEMO_SANITIZE)
    add_test(NAME soak.daemon
             COMMAND sh ${PROJECT_SOURCE_DIR}/bench/soak/run.sh --duration 1m
                     --out ${CMAKE_CURRENT_BINARY_DIR}/soak-results)
    set_tests_properties(soak.daemon PROPERTIES
        LABELS soak
        TIMEOUT 300
        RUN_SERIAL TRUE
        ENVIRONMENT "ASYNCDEMOD=$<TARGET_FILE:asyncdemod>")
endif()
