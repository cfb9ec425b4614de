/* Maps the generic names used by score_simd.inc to the f64 operations of the active
 * vector layer. Included once per precision; prec_undef.h clears the names again. */
#define REAL double
#define V sl_vf64
#define VI sl_vi_f64
#define LANES SL_F64_LANES
#define OBS sl_observables_f64
#define PX_WEIGHTS(px) ((px)->w_)
#define PX_NEG_K(px) ((px)->neg_k_)
#define PX_SIGNAL_TABLE(px, which) ((px)->signal_f64_[which])
#define COUNT_SIGNAL sl_count_signal_f64
#define KERNEL(op) SL_KERNEL_NAME(op, f64, SL_ISA)
/* KERNEL(exp), double precision (see score_simd.inc; coefficients from exp_coefficients.py) */
#define EXP_T_MIN (-708.0)               /* exp of smaller t is exp(-708) (values < 2^-1021) */
#define EXP_T_MAX 710.0                  /* above ln(DBL_MAX) = 709.78: the result is +inf */
#define EXP_ESTRIN 1 /* see KERNEL(exp_poly) */
#define EXP_COMPENSATED 1             /* see KERNEL(exp) */
#define EXP_LOG2E 0x1.71547652b82fep+0
#define EXP_SHIFTER (0x1.8p52 + 1022.0)  /* rounds to an integer n, leaving n + 1022 in the low bits */
#define EXP_LN2_HI 0x1.62e42fefa39efp-1  /* ln 2 = EXP_LN2_HI + EXP_LN2_LO */
#define EXP_LN2_LO 0x1.abc9e3b39803fp-56
#define EXP_Q_COEFFS                                                                               \
    {0x1.1e3d2195cd15ep-29, 0x1.af6bda57f5645p-26, 0x1.27e5b4442e991p-22, 0x1.71ddf0286eed4p-19,   \
     0x1.a01a0136955fep-16, 0x1.a01a01b37b39bp-13, 0x1.6c16c16c30466p-10, 0x1.111111110ec65p-7,    \
     0x1.5555555555503p-5,  0x1.555555555555bp-3,  0x1p-1}
#define v_load sl_load_f64
#define v_load_part sl_load_part_f64
#define v_store sl_store_f64
#define v_store_part sl_store_part_f64
#define v_set1 sl_set1_f64
#define v_add sl_add_f64
#define v_mul sl_mul_f64
#define v_div sl_div_f64
#define v_sub sl_sub_f64
#define v_fma sl_fma_f64
#define v_exp_scale sl_exp_scale_f64
#define v_min sl_min_f64
#define v_max sl_max_f64
#define v_abs sl_abs_f64
#define v_log2 sl_log2_f64
#define v_lt_bits sl_lt_bits_f64
#define v_eq_bits sl_eq_bits_f64
#define v_select sl_select_f64
#define v_nan_bits sl_nan_bits_f64
#define v_nan_bits2 sl_nan_bits2_f64
#define v_load_i sl_load_i_f64
#define v_load_part_i sl_load_part_i_f64
#define v_store_i sl_store_i_f64
#define v_zero_i sl_zero_i_f64
#define v_negative_bits sl_negative_bits_f64
#define v_above_bits sl_above_bits_f64
#define v_clamp_i sl_clamp_i_f64
#define v_gather sl_gather_f64
#define v_or_i sl_or_i_f64
#define v_any_bits_i sl_any_bits_i_f64
#define TABLE16 sl_table16_f64
#define v_table16_load sl_table16_load_f64
#define v_table16_lookup sl_table16_lookup_f64
#define v_stream sl_stream_f64
/* payoffs */
#define PAYOFF_IN sl_payoff_inputs_f64
#define PAYOFF_OUT sl_payoff_outputs_f64
#define PC(pc, field) ((pc)->field)
#define v_zero sl_zero_f64
#define v_outside01_bits sl_outside01_bits_f64
#define v_nonfinite_bits sl_nonfinite_bits_f64
/* metrics (double precision only) */
#define M sl_mf64
#define VC sl_vc_f64
#define v_log sl_log_f64
#define m_lt sl_mlt_f64
#define m_from_bits sl_mfrom_bits_f64
#define m_bits sl_mbits_f64
#define v_add_if sl_add_if_f64
#define v_fma_if sl_fma_if_f64
#ifdef SL_HAVE_FMA_DOWN_F64
#define v_fma_down sl_fma_down_f64
#endif
#define c_zero sl_cnt_zero_f64
#define c_add_if sl_cnt_add_if_f64
#define c_store sl_cnt_store_f64
#define c_add_fields sl_cnt_add_fields_f64
#define c_bin_bit sl_cnt_bin_bit_f64
#define c_load_u8 sl_cnt_load_u8_f64
#define c_load_i8 sl_cnt_load_i8_f64
#define v_compress_store sl_compress_store_f64
#define m_all sl_mall_f64
#define v_getexp sl_getexp_f64
#define v_getmant sl_getmant_f64
#define m_and_ge sl_mand_ge_f64
#define m_and_le sl_mand_le_f64
#define m_and_eq sl_mand_eq_f64
#define m_and_ceq sl_mand_ceq_f64
#define m_and_cle sl_mand_cle_f64
#define m_and_cge sl_mand_cge_f64
#define m_and_cne sl_mand_cne_f64
#define m_and_sign_clear sl_mand_sign_clear_f64
#define v_abs_sign_of sl_abs_sign_of_f64
#define v_select_m sl_select_m_f64
