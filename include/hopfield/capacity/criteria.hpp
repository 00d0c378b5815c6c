#pragma once
/// \file criteria.hpp
/// \brief Success criteria of retrieval experiments: final overlap above a threshold, exact
/// fixed point, bit-error rate, and nearest-pattern identity (for continuous models), plus
/// the fixed-point test of a stored pattern under a binary model.

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/models/concept.hpp"
#include "hopfield/models/couplings.hpp"
#include "hopfield/retrieval/workspace.hpp"

namespace hopfield::capacity {

/// \brief Normalised overlap (cosine) x.s / (|x| |s|), in [-1, 1]; 0 when either is zero.
/// For +-1 vectors this is the physicists' m = x.s / d.
template <class A, class B>
double overlap(const Eigen::MatrixBase<A>& x, const Eigen::MatrixBase<B>& s) {
    const auto xd = x.reshaped().template cast<double>();
    const auto sd = s.reshaped().template cast<double>();
    const double norms = xd.norm() * sd.norm();
    return norms == 0.0 ? 0.0 : xd.dot(sd) / norms;
}

/// \brief Fraction of the non-zero entries of the pattern x whose sign the state s gets wrong
/// (s_i = 0 counts as wrong); 0 when x has no non-zero entry. Zero entries of a diluted
/// pattern carry no bit and are not counted.
template <class A, class B>
double bit_error_rate(const Eigen::MatrixBase<A>& x, const Eigen::MatrixBase<B>& s) {
    const auto xr = x.reshaped();
    const auto sr = s.reshaped();
    Index bits = 0, wrong = 0;
    for (Index i = 0; i < xr.size(); ++i) {
        const double xi = double(xr[i]), si = double(sr[i]);
        if (xi == 0.0) continue;
        ++bits;
        wrong += (xi > 0.0) != (si > 0.0) || si == 0.0;
    }
    return bits == 0 ? 0.0 : double(wrong) / double(bits);
}

/// \brief True when s equals x entry by entry (an exact retrieval).
template <class A, class B>
bool exact_match(const Eigen::MatrixBase<A>& x, const Eigen::MatrixBase<B>& s) {
    return x.reshaped().template cast<double>() == s.reshaped().template cast<double>();
}

/// \brief Index of the stored pattern nearest to s in Euclidean distance, or -1 when two or
/// more patterns are equally near (a tie is not a retrieval). O(N d).
template <Real Scalar, class B>
Index nearest_pattern(PatternView<Scalar> X, const Eigen::MatrixBase<B>& s) {
    const Vector<double> sd = s.reshaped().template cast<double>();
    if (sd.size() != X.dim())
        throw invalid_argument("nearest_pattern", "state.size()", sd.size(),
                               "must equal the pattern dimension d = " + std::to_string(X.dim()));
    // argmin |x_mu - s|^2 = argmax (x_mu . s - |x_mu|^2 / 2), in double.
    double best = -std::numeric_limits<double>::infinity();
    Index arg = -1;
    bool tie = false;
    for (Index mu = 0; mu < X.size(); ++mu) {
        double dot = 0, norm2 = 0;
        for (Index i = 0; i < X.dim(); ++i) {
            const double x = double(X.row(mu)[i]);
            dot += x * sd[i];
            norm2 += x * x;
        }
        const double score = dot - 0.5 * norm2;
        if (score > best) {
            best = score;
            arg = mu;
            tie = false;
        } else if (score == best) {
            tie = true;
        }
    }
    return tie ? -1 : arg;
}

/// \brief True when the +-1 state x is a fixed point of one zero-temperature update of a
/// binary pattern model: every field h_i has the sign of x_i (a zero field keeps the state,
/// the library's tie rule). One field evaluation, O(N d); no input checks (the caller's
/// memory and state are +-1 and of matching size).
template <BinaryModel M, Real Scalar>
bool is_fixed_point(const M& model, PatternView<Scalar> X, const Scalar* x, Vector<Scalar>& h,
                    Workspace<Scalar>& ws) {
    h.resize(X.dim());
    model.fields(X, x, h.data(), ws);
    for (Index i = 0; i < X.dim(); ++i)
        if (double(h[i]) * double(x[i]) < 0.0) return false;
    return true;
}

/// \brief True when the +-1 state x is a fixed point of the network with couplings J.
template <Real Scalar>
bool is_fixed_point(const Couplings<Scalar>& J, const Scalar* x, Vector<Scalar>& h) {
    h.resize(J.dim());
    J.fields(x, h.data());
    for (Index i = 0; i < J.dim(); ++i)
        if (double(h[i]) * double(x[i]) < 0.0) return false;
    return true;
}

/// \brief A success criterion of one retrieval.
struct Criterion {
    /// \brief The kinds of criterion.
    enum class Kind {
        overlap,  ///< final overlap with the target >= threshold
        exact,    ///< final state equals the target exactly
        nearest   ///< the target is the unique nearest stored pattern to the final state
    };
    Kind kind = Kind::overlap;  ///< which test
    double threshold = 0.97;    ///< the overlap threshold (Kind::overlap only), in [-1, 1]

    /// \brief Parses "overlap:T" (T in [-1, 1]), "overlap" (T = 0.97), "exact" or "nearest";
    /// throws hopfield::invalid_argument naming `criterion` and the text otherwise.
    static Criterion parse(std::string_view text) {
        const auto fail = [&](const char* why) {
            return invalid_argument("Criterion::parse", "criterion", std::string(text), why);
        };
        if (text == "exact") return {Kind::exact, 1.0};
        if (text == "nearest") return {Kind::nearest, 1.0};
        if (text == "overlap") return {Kind::overlap, 0.97};
        if (text.substr(0, 8) == "overlap:") {
            const std::string number(text.substr(8));
            std::size_t used = 0;
            double t = 0;
            try {
                t = std::stod(number, &used);
            } catch (const std::exception&) {
                throw fail("the threshold after 'overlap:' is not a number");
            }
            if (used != number.size()) throw fail("the threshold after 'overlap:' is not a number");
            if (!(t >= -1.0 && t <= 1.0)) throw fail("the overlap threshold must be in [-1, 1]");
            return {Kind::overlap, t};
        }
        throw fail("must be overlap:T, exact or nearest");
    }

    /// \brief The criterion as parse() reads it ("overlap:0.97", "exact", "nearest").
    std::string to_string() const {
        if (kind == Kind::exact) return "exact";
        if (kind == Kind::nearest) return "nearest";
        std::string t = std::to_string(threshold);
        while (t.size() > 1 && t.back() == '0') t.pop_back();
        if (!t.empty() && t.back() == '.') t.pop_back();
        return "overlap:" + t;
    }
};

}  // namespace hopfield::capacity
