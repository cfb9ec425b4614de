/* Printing a metrics report as the reference (swarm-safety's SoftMetrics) prints it in JSON. */
#ifndef SL_TOOLS_METRICS_JSON_H
#define SL_TOOLS_METRICS_JSON_H

#include <stdio.h>

#include "softlabel.h"

/* Writes one JSON object with exactly the reference's keys, nesting, order and value types:
 * counts as integers, every other number as a float in shortest round-trip form (Python's
 * repr: "0.0", "0.1", "1e-05", "1e+16"), null where the reference gives None. Like the
 * reference, total_welfare and total_social_surplus are the integer 0 when rows exist but none
 * is accepted (Python's sum of an empty list). Returns 0, or -1 on an output error. */
int sl_print_metrics_json(FILE *out, const sl_metrics_report *r);

#endif
