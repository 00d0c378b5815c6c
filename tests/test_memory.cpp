// PatternMemory and PatternView: storage layout, no hidden copies, add / remove, validation.

#include <catch2/catch.hpp>

#include <hopfield/hopfield.hpp>

#include "reference.hpp"

using hopfield::Index;

TEMPLATE_TEST_CASE("PatternMemory stores row-major contiguous patterns", "[memory]", float, double) {
    using Scalar = TestType;
    auto X = ref::random_gaussian<Scalar>(4, 3, 1);
    const hopfield::RowMatrix<Scalar> copy = X;
    const Scalar* before = X.data();
    hopfield::PatternMemory<Scalar> mem(std::move(X));
    CHECK(mem.data() == before);  // moved in, not copied
    CHECK(mem.size() == 4);
    CHECK(mem.dim() == 3);
    for (Index mu = 0; mu < 4; ++mu)
        for (Index i = 0; i < 3; ++i) CHECK(mem.data()[mu * 3 + i] == copy(mu, i));

    const hopfield::PatternView<Scalar> view = mem;
    CHECK(view.data() == mem.data());
    CHECK(view.row(2) == mem.data() + 6);
}

TEMPLATE_TEST_CASE("PatternView wraps user buffers without copying", "[memory]", float, double) {
    using Scalar = TestType;
    std::vector<Scalar> buffer{1, 2, 3, 4, 5, 6};
    const hopfield::PatternView<Scalar> v(buffer.data(), 2, 3);
    CHECK(v.data() == buffer.data());
    CHECK(v.matrix()(1, 0) == 4);
    hopfield::RowMatrix<Scalar> m(2, 3);
    const hopfield::PatternView<Scalar> from_eigen = m.setZero();
    CHECK(from_eigen.data() == m.data());

    buffer[4] = std::numeric_limits<Scalar>::quiet_NaN();
    CHECK_THROWS_WITH(hopfield::PatternView<Scalar>(buffer.data(), 2, 3),
                      Catch::Contains("patterns") && Catch::Contains("element 4"));
    CHECK_THROWS_AS(hopfield::PatternView<Scalar>(buffer.data(), -1, 3), hopfield::invalid_argument);
    CHECK_THROWS_WITH(hopfield::PatternView<Scalar>(nullptr, 2, 3), Catch::Contains("data"));
}

TEMPLATE_TEST_CASE("PatternMemory add and remove keep order and contiguity", "[memory]", float, double) {
    using Scalar = TestType;
    hopfield::PatternMemory<Scalar> mem(3);
    CHECK(mem.empty());
    for (int k = 0; k < 5; ++k) mem.add(hopfield::Vector<Scalar>::Constant(3, Scalar(k)));
    CHECK(mem.size() == 5);
    mem.remove(1);
    mem.remove(3);  // was pattern 4
    REQUIRE(mem.size() == 3);
    CHECK(mem.pattern(0)[0] == 0);
    CHECK(mem.pattern(1)[2] == 2);
    CHECK(mem.pattern(2)[1] == 3);
    CHECK(mem.data()[2 * 3] == 3);

    const auto from = hopfield::PatternMemory<Scalar>::from_buffer(mem.data(), 3, 3);
    CHECK(from.matrix() == mem.matrix());
    CHECK(from.data() != mem.data());
}

TEST_CASE("PatternMemory rejects bad input naming the argument", "[memory][errors]") {
    CHECK_THROWS_WITH(hopfield::PatternMemory<float>(0), Catch::Contains("'dim' = 0"));
    hopfield::PatternMemory<float> mem(2);
    CHECK_THROWS_WITH(mem.add(Eigen::VectorXf::Ones(3)), Catch::Contains("pattern.size()") && Catch::Contains("3"));
    Eigen::VectorXf bad(2);
    bad << 1.0f, std::numeric_limits<float>::infinity();
    CHECK_THROWS_WITH(mem.add(bad), Catch::Contains("'pattern' = inf"));
    CHECK(mem.size() == 0);  // state unchanged by the failed add
    CHECK_THROWS_WITH(mem.remove(0), Catch::Contains("'mu' = 0"));
    hopfield::RowMatrix<float> nan_patterns = hopfield::RowMatrix<float>::Zero(2, 2);
    nan_patterns(1, 1) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH(hopfield::PatternMemory<float>(std::move(nan_patterns)), Catch::Contains("patterns"));
}
