/* The task-limit check behind compare's refusal of --max-parallel counts the limits cannot hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "task_limits.h"

static void test_fits_with_an_eighth_free(void **state)
{
    (void)state;
    char err[256] = "";
    ad_task_limits_t l = {.nproc = 64, .user_tasks = 10, .system_max = AD_TASKS_UNLIMITED};
    assert_int_equal(ad_task_limits_check(&l, 46, err, sizeof(err)), 0); /* 64 - 10 - 8 */
    assert_int_equal(ad_task_limits_check(&l, 47, err, sizeof(err)), -1);
    assert_string_equal(err, "RLIMIT_NPROC for this user is 64, 10 in use, 8 kept free");

    l = (ad_task_limits_t){.nproc = AD_TASKS_UNLIMITED, .system_max = 32768, .system_tasks = 500};
    assert_int_equal(ad_task_limits_check(&l, 28172, err, sizeof(err)), 0); /* 32768 - 500 - 4096 */
    assert_int_equal(ad_task_limits_check(&l, 30000, err, sizeof(err)), -1);
    assert_string_equal(err, "the host's task limit (pid_max, threads-max) is 32768, 500 in use, 4096 kept free");
}

static void test_edges(void **state)
{
    (void)state;
    char err[256] = "";
    ad_task_limits_t none = {.nproc = AD_TASKS_UNLIMITED, .system_max = AD_TASKS_UNLIMITED};
    assert_int_equal(ad_task_limits_check(&none, UINT64_MAX, err, sizeof(err)), 0);
    /* more in use than the limit (it was lowered under running processes): nothing fits, no wrap-around */
    ad_task_limits_t over = {.nproc = 16, .user_tasks = 20, .system_max = AD_TASKS_UNLIMITED};
    assert_int_equal(ad_task_limits_check(&over, 1, err, sizeof(err)), -1);
    ad_task_limits_t full = {.nproc = 16, .user_tasks = 15, .system_max = AD_TASKS_UNLIMITED};
    assert_int_equal(ad_task_limits_check(&full, 1, err, sizeof(err)), -1);
    ad_task_limits_t tiny = {.nproc = 4, .user_tasks = 0, .system_max = AD_TASKS_UNLIMITED};
    assert_int_equal(ad_task_limits_check(&tiny, 4, err, sizeof(err)), 0); /* an eighth of 4 is 0 */
    assert_int_equal(ad_task_limits_check(&tiny, 5, err, sizeof(err)), -1);
}

static void test_read_is_sane(void **state)
{
    (void)state;
    ad_task_limits_t l;
    ad_task_limits_read(&l);
    /* This process runs, so the host has at least one task and room for it. */
    assert_true(l.system_tasks >= 1);
    assert_true(l.system_max == AD_TASKS_UNLIMITED || l.system_max >= l.system_tasks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fits_with_an_eighth_free),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_read_is_sane),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
