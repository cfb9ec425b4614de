// The public header from C++, linked statically.
#include <softlabel.h>

#include <cstdio>
#include <vector>

int main()
{
    std::vector<float> x{-1.0f, 0.0f, 1.0f};
    std::vector<float> p(x.size());
    if (sl_sigmoid_f32(2.0f, x.data(), x.size(), p.data()) != SL_OK)
        return 1;
    std::printf("%s sigmoid(0) = %g\n", sl_isa_name(), static_cast<double>(p[1]));
    return p[1] == 0.5f ? 0 : 1;
}
