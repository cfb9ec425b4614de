// The public header from C++, linked statically: a sigmoid, and a panel (softlabel_panel.h).
#include <softlabel.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

static int panel_example()
{
    sl_panel_options o;
    sl_panel_options_default(&o);
    sl_panel *pb = nullptr;
    if (sl_panel_create(&o, &pb) != SL_OK)
        return 1;
    const char *labels[] = {"mild", "moderate", "severe"};
    const char *votes[] = {"moderate", "moderate", "severe", "mild"};
    const char *reviewers[] = {"r1", "r2", "r3", "r4"};
    int bad = sl_panel_add_task(pb, "severity", labels, 3) != SL_OK;
    for (int i = 0; i < 4; i++) {
        sl_annotation a = {"item-1", "severity", reviewers[i], votes[i], NAN, 0, nullptr, nullptr};
        bad |= sl_panel_add(pb, &a) != SL_OK;
    }
    bad |= sl_panel_finish(pb) != SL_OK;
    sl_panel_item it;
    bad |= sl_panel_count(pb) != 1 || sl_panel_get(pb, 0, &it) != SL_OK;
    if (!bad) {
        // SPEC 4's worked example: {mild 0.25, moderate 0.5, severe 0.25}, 1.5 bits, "major"
        std::printf("%s: %g %g %g, %g bits, %s\n", it.item_id, it.distribution[0],
                    it.distribution[1], it.distribution[2], it.entropy_bits,
                    it.disagreement_class);
        bad = !(it.distribution[1] == 0.5 && std::fabs(it.entropy_bits - 1.5) < 1e-12 &&
                std::strcmp(it.disagreement_class, "major") == 0);
    }
    sl_panel_free(pb);
    return bad;
}

int main()
{
    std::vector<float> x{-1.0f, 0.0f, 1.0f};
    std::vector<float> p(x.size());
    if (sl_sigmoid_f32(2.0f, x.data(), x.size(), p.data()) != SL_OK)
        return 1;
    std::printf("%s sigmoid(0) = %g\n", sl_isa_name(), static_cast<double>(p[1]));
    return p[1] == 0.5f ? panel_example() : 1;
}
