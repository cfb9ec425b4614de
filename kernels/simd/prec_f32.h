/* Maps the generic names used by score_simd.inc to the f32 operations of the active
 * vector layer. Included once per precision; prec_undef.h clears the names again. */
#define REAL float
#define V sl_vf32
#define VI sl_vi_f32
#define LANES SL_F32_LANES
#define OBS sl_observables_f32
#define PX_WEIGHTS(px) ((px)->w_f32_)
#define PX_NEG_K(px) ((px)->neg_k_f32_)
#define PX_SIGNAL_TABLE(px, which) ((px)->signal_f32_[which])
#define COUNT_SIGNAL sl_count_signal_f32
#define KERNEL(op) SL_KERNEL_NAME(op, f32, SL_ISA)
/* KERNEL(exp), single precision (see score_simd.inc; coefficients from exp_coefficients.py) */
#define EXP_T_MIN (-86.5f)               /* exp of smaller t is exp(-86.5) (values < 2^-124) */
#define EXP_T_MAX 89.0f                  /* above ln(FLT_MAX) = 88.72: the result is +inf */
#define EXP_ESTRIN 0 /* see KERNEL(exp_poly) */
#define EXP_COMPENSATED 0             /* see KERNEL(exp) */
#define EXP_LOG2E 0x1.715476p+0f
#define EXP_SHIFTER (0x1.8p23f + 126.0f) /* rounds to an integer n, leaving n + 126 in the low bits */
#define EXP_LN2_HI 0x1.62e430p-1f        /* ln 2 = EXP_LN2_HI + EXP_LN2_LO */
#define EXP_LN2_LO (-0x1.05c610p-29f)
#define EXP_Q_COEFFS {0x1.6a244cp-10f, 0x1.1239d4p-7f, 0x1.5558f2p-5f, 0x1.555492p-3f, 0x1.fffffcp-2f}
#define v_load sl_load_f32
#define v_load_part sl_load_part_f32
#define v_store sl_store_f32
#define v_store_part sl_store_part_f32
#define v_set1 sl_set1_f32
#define v_add sl_add_f32
#define v_mul sl_mul_f32
#define v_div sl_div_f32
#define v_sub sl_sub_f32
#define v_fma sl_fma_f32
#define v_exp_scale sl_exp_scale_f32
#define v_min sl_min_f32
#define v_max sl_max_f32
#define v_abs sl_abs_f32
#define v_log2 sl_log2_f32
#define v_lt_bits sl_lt_bits_f32
#define v_eq_bits sl_eq_bits_f32
#define v_select sl_select_f32
#define v_nan_bits sl_nan_bits_f32
#define v_nan_bits2 sl_nan_bits2_f32
#define v_load_i sl_load_i_f32
#define v_load_part_i sl_load_part_i_f32
#define v_store_i sl_store_i_f32
#define v_zero_i sl_zero_i_f32
#define v_negative_bits sl_negative_bits_f32
#define v_above_bits sl_above_bits_f32
#define v_clamp_i sl_clamp_i_f32
#define v_gather sl_gather_f32
#define v_or_i sl_or_i_f32
#define v_any_bits_i sl_any_bits_i_f32
#define TABLE16 sl_table16_f32
#define v_table16_load sl_table16_load_f32
#define v_table16_lookup sl_table16_lookup_f32
#define v_stream sl_stream_f32
/* payoffs */
#define PAYOFF_IN sl_payoff_inputs_f32
#define PAYOFF_OUT sl_payoff_outputs_f32
#define PC(pc, field) ((pc)->field##_f32)
#define v_zero sl_zero_f32
#define v_outside01_bits sl_outside01_bits_f32
#define v_nonfinite_bits sl_nonfinite_bits_f32
