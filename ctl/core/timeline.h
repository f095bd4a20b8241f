#ifndef AD_CTL_TIMELINE_H
#define AD_CTL_TIMELINE_H
/*
 * The timeline: one row per recorded request, a bar from its send to its completion, all runs drawn
 * on one time axis (0 = each run's start) so 5 serial requests show as a staircase and 5 overlapping
 * ones as a block, like the diagrams of the seed lesson. Pure: writes into a FILE *.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "results.h"

typedef struct ad_timeline_style {
    int width;         /* terminal columns; >= 40 fits, narrower keeps a 10-column bar area */
    bool ascii;        /* '#' bars; else Unicode blocks with eighth-cell ends */
    bool color;        /* ANSI colours: failed requests red */
    uint32_t max_rows; /* rows per run at most (the rest summarised); 0 = every record */
} ad_timeline_style_t;

/* width 80, Unicode, no colour, 20 rows per run. */
void ad_timeline_style_default(ad_timeline_style_t *st);

/* Draws runs[0..n) (their records) on one axis: a scale line, per run a title and its rows, then the
 * axis with tick labels. Open-model runs show the wait between intended and actual send lightly. */
void ad_timeline_render(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_timeline_style_t *st);

#endif
