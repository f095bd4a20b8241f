#ifndef AD_NOFILE_H
#define AD_NOFILE_H
/* 10,000 connections need more than the usual 1,024 descriptors: both programs take what the hard limit allows. */
#include <stdint.h>

/* Raises the open-file soft limit to the hard limit. Returns the soft limit now in force (UINT64_MAX:
 * unlimited; 0: unknown). */
uint64_t ad_nofile_raise(void);

#endif
