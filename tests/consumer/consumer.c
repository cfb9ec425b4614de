/* The README's usage example, compiled against an installed softlabel. */
#include <softlabel.h>
#include <stdio.h>

int main(void)
{
    sl_proxy_params params;
    sl_proxy_params_default(&params);
    sl_proxy px;
    if (sl_proxy_init(&px, &params) != SL_OK)
        return 1;
    const double progress[] = {0.9, -0.35548810055458957};
    const double engagement[] = {0.8, -0.2633606729793072};
    const int32_t rework[] = {0, 0}, rejections[] = {0, 5}, misuse[] = {0, 6};
    sl_observables_f64 obs = {progress, rework, rejections, misuse, engagement};
    double v_hat[2], p[2];
    size_t first_invalid;
    sl_status st = sl_score_f64(&px, &obs, 2, v_hat, p, &first_invalid);
    if (st != SL_OK) {
        fprintf(stderr, "row %zu: %s\n", first_invalid, sl_status_str(st));
        return 1;
    }
    for (int i = 0; i < 2; i++)
        printf("v_hat=%.17g p=%.17g (%s)\n", v_hat[i], p[i], sl_isa_name());
    /* golden/proxy_cases.csv row 1 (config default): v_hat -0.18969437481769727, p 0.406274331676532 */
    return !(v_hat[1] > -0.189694374817698 && v_hat[1] < -0.189694374817696);
}
