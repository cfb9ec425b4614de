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
#define v_load sl_load_f64
#define v_load_part sl_load_part_f64
#define v_store sl_store_f64
#define v_store_part sl_store_part_f64
#define v_set1 sl_set1_f64
#define v_add sl_add_f64
#define v_mul sl_mul_f64
#define v_div sl_div_f64
#define v_min sl_min_f64
#define v_max sl_max_f64
#define v_exp sl_exp_f64
#define v_nan_bits sl_nan_bits_f64
#define v_load_i sl_load_i_f64
#define v_load_part_i sl_load_part_i_f64
#define v_store_i sl_store_i_f64
#define v_zero_i sl_zero_i_f64
#define v_negative_bits sl_negative_bits_f64
#define v_above_bits sl_above_bits_f64
#define v_clamp_i sl_clamp_i_f64
#define v_gather sl_gather_f64
/* payoffs */
#define PAYOFF_IN sl_payoff_inputs_f64
#define PAYOFF_OUT sl_payoff_outputs_f64
#define PC(pc, field) ((pc)->field)
#define v_zero sl_zero_f64
#define v_sub sl_sub_f64
#define v_outside01_bits sl_outside01_bits_f64
#define v_nonfinite_bits sl_nonfinite_bits_f64
/* metrics (double precision only) */
#define M sl_mf64
#define VC sl_vc_f64
#define v_floor sl_floor_f64
#define v_log sl_log_f64
#define m_ge sl_mge_f64
#define m_gt sl_mgt_f64
#define m_lt sl_mlt_f64
#define m_eq sl_meq_f64
#define m_and sl_mand_f64
#define m_from_bits sl_mfrom_bits_f64
#define m_bits sl_mbits_f64
#define v_add_if sl_add_if_f64
#define v_select sl_select_f64
#define v_load_u8 sl_load_u8_f64
#define v_load_i8 sl_load_i8_f64
#define c_zero sl_cnt_zero_f64
#define c_add_if sl_cnt_add_if_f64
#define c_bit sl_cnt_bit_f64
#define c_store sl_cnt_store_f64
