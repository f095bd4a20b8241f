# unit tests of daemon/ (ad_unit_test calls)
ad_unit_test(test_timer_heap SOURCES test_timer_heap.c LIBS asyncdemod_core)
ad_unit_test(test_query SOURCES test_query.c LIBS asyncdemod_core)
ad_unit_test(test_config SOURCES test_config.c LIBS asyncdemod_core)
# The shipped example file must parse: the test reads it from the source tree.
target_compile_definitions(test_config PRIVATE AD_EXAMPLE_CONF="${PROJECT_SOURCE_DIR}/packaging/asyncdemod.conf")
ad_unit_test(test_stats SOURCES test_stats.c LIBS asyncdemod_core Threads::Threads)
ad_unit_test(test_stats_format SOURCES test_stats_format.c LIBS asyncdemod_core PkgConfig::JANSSON Threads::Threads)
ad_unit_test(test_config_limits SOURCES test_config_limits.c LIBS asyncdemod_core)
