/* Internal: shared between the parameter code and the API layer. */
#ifndef SL_PROXY_INTERNAL_H
#define SL_PROXY_INTERNAL_H

/* Set in sl_proxy.magic_ by a successful sl_proxy_init ("softlbl1"). */
#define SL_PROXY_MAGIC 0x736f66746c626c31ull

/* sigmoid_k's valid range (0, 100], shared by the proxy and the sigmoid entry points. */
int sl_valid_sigmoid_k(double k);

#endif
