/* The double-precision traits of the API layer's precision-generic bodies (src/api_prec.inc,
 * payoff_prec.inc, parallel_prec.inc, metrics_prec.inc, obs_internal_prec.inc,
 * payoff_internal_prec.inc): the element types, and PREC, which gives the bodies the typed names
 * of what they call (helpers, kernels, entry points of other files). The functions a body exports
 * are not named here: the file that includes it binds each name on one line (api.c).
 * api_prec_undef.h clears these again. Scalar names only: unlike kernels/simd/prec_f64.h it pulls
 * in no vector layer. */
#define REAL double
#define OBS sl_observables_f64
#define PAYOFF_IN sl_payoff_inputs_f64
#define PAYOFF_OUT sl_payoff_outputs_f64
#define PREC(name) name##_f64       /* impl->PREC(score) -> impl->score_f64 */
#define PREC_LOG log                 /* libm's log in this precision */
