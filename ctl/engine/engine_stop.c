/* The stop request every engine and blocking transfer watches (see engine.h): set from a signal handler. */
#include <signal.h>
#include "engine.h"

static volatile sig_atomic_t stop_flag;

void ad_engine_request_stop(void)
{
    stop_flag = 1;
}

bool ad_engine_stop_requested(void)
{
    return stop_flag != 0;
}
