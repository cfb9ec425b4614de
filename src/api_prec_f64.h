/* Maps the generic names of the API layer's precision-generic bodies (src/api_prec.inc,
 * payoff_prec.inc, parallel_prec.inc, metrics_prec.inc, obs_internal_prec.inc,
 * payoff_internal_prec.inc) to double precision. Included once per precision;
 * api_prec_undef.h clears the names again. Scalar names only: unlike kernels/simd/prec_f64.h it
 * pulls in no vector layer. */
#define REAL double
#define OBS sl_observables_f64
#define PAYOFF_IN sl_payoff_inputs_f64
#define PAYOFF_OUT sl_payoff_outputs_f64
#define PREC(name) name##_f64       /* sl_score -> sl_score_f64, impl->PREC(score) -> score_f64 */
#define PREC_LOG log                 /* libm's log in this precision */
#define PREC_MT(name) name##_f64_mt /* sl_score -> sl_score_f64_mt */
