#ifndef SL_METRICS_INTERNAL_H
#define SL_METRICS_INTERNAL_H
#include "softlabel.h"

/* A new empty state with the payoff parameters and flags of m (so it merges into m);
 * `workspace`: with the span its updates run through, as sl_metrics_init gives every state.
 * Without one (1 KB instead of 30), it can be merged, finalized and freed, but updated
 * only while it holds a workspace borrowed from another state. */
sl_status sl_metrics_init_like(const sl_metrics *m, sl_metrics **out, int workspace);

/* Exchanges the update workspaces of a and b: a workspace holds nothing between updates, so a
 * state without one can borrow another's for an update and give it back. */
void sl_metrics_swap_workspace(sl_metrics *a, sl_metrics *b);

#endif
