# The daemon's integration run under valgrind's memcheck (harness.py's AD_VALGRIND=1): a chosen subset of
# the daemon's tests as one test, label valgrind (not integration). Plain builds only: memcheck cannot
# run an ASan binary. Run it with: ctest --test-dir BUILD -L valgrind
find_program(AD_VALGRIND_PROGRAM valgrind)
if(AD_VALGRIND_PROGRAM AND NOT ASYNCDEMO_SANITIZE)
    set(AD_VALGRIND_ITESTS test_lesson test_answers test_bad_input test_cancel test_signals test_drain_load)
    add_test(NAME valgrind.daemon
             COMMAND Python3::Interpreter -m unittest -v ${AD_VALGRIND_ITESTS}
             WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
    set_tests_properties(valgrind.daemon PROPERTIES
        LABELS valgrind
        TIMEOUT 400
        RUN_SERIAL TRUE
        ENVIRONMENT "AD_VALGRIND=1;ASYNCDEMOD=$<TARGET_FILE:asyncdemod>;ASYNCDEMO_VERSION=${PROJECT_VERSION};PYTHONDONTWRITEBYTECODE=1")
elseif(NOT AD_VALGRIND_PROGRAM)
    message(STATUS "valgrind not found: no valgrind test (ctest -L valgrind)")
endif()
