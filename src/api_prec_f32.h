/* Maps the generic names of the API layer's precision-generic bodies (src/api_prec.inc,
 * payoff_prec.inc, parallel_prec.inc, metrics_prec.inc, obs_internal_prec.inc,
 * payoff_internal_prec.inc) to single precision. Included once per precision;
 * api_prec_undef.h clears the names again. Scalar names only: unlike kernels/simd/prec_f32.h it
 * pulls in no vector layer. */
#define REAL float
#define OBS sl_observables_f32
#define PAYOFF_IN sl_payoff_inputs_f32
#define PAYOFF_OUT sl_payoff_outputs_f32
#define PREC(name) name##_f32       /* sl_score -> sl_score_f32, impl->PREC(score) -> score_f32 */
#define PREC_LOG logf                /* libm's log in this precision */
#define PREC_MT(name) name##_f32_mt /* sl_score -> sl_score_f32_mt */
