#ifndef SL_METRICS_INTERNAL_H
#define SL_METRICS_INTERNAL_H
#include "softlabel.h"

/* A new empty state with the payoff parameters and flags of m (so it merges into m). */
sl_status sl_metrics_init_like(const sl_metrics *m, sl_metrics **out);

#endif
