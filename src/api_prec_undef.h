/* Clears the names api_prec_f64.h / api_prec_f32.h define. */
#undef REAL
#undef OBS
#undef PAYOFF_IN
#undef PAYOFF_OUT
#undef PREC
#undef PREC_LOG
