#pragma once
/// \file couplings.hpp
/// \brief Couplings: the pairwise Hopfield network as an explicit symmetric d x d coupling
/// matrix J, learned by the Hebb, Storkey or pseudo-inverse (projection) rule.

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/models/concept.hpp"
#include "hopfield/retrieval/kernel.hpp"

namespace hopfield {

/// \brief Whether a learning rule keeps the diagonal J_ii of the coupling matrix.
/// The library zeroes it by default: with J_ii = 0 asynchronous dynamics never raises the
/// energy, and the classical capacity figures (alpha_c ~ 0.138) assume it.
enum class SelfCoupling {
    zero,  ///< J_ii = 0 (default)
    keep   ///< keep the diagonal the rule produces
};

/// \brief A pairwise binary Hopfield network given by its couplings: field h = J sigma,
/// energy E = -sigma^T J sigma / 2. The field is computed by the retrieval kernel's
/// similarity stage (one dot product per row of J).
///
/// Learning rules (Scalar patterns must be +-1):
/// - hebb: J = (1/d) X^T X (models.md section 2), O(N d^2); the O(N d) pattern form of the same
///   network is ClassicalHebbian.
/// - storkey: Storkey (1997) incremental local rule, capacity ~ d / sqrt(2 ln d).
/// - pseudo_inverse: J = (1/d) X^T C^{-1} X with C = X X^T / d (Personnaz et al. 1985):
///   every linearly independent set of N < d patterns is stored as exact fixed points.
/// \tparam Scalar float or double (learning is done in double).
template <Real Scalar>
class Couplings {
public:
    /// \brief States are +-1 vectors.
    using state_space = binary_states;

    /// \brief Wraps a given symmetric coupling matrix (d x d, finite).
    explicit Couplings(RowMatrix<Scalar> J) : J_(std::move(J)) {
        if (J_.rows() != J_.cols() || J_.rows() == 0)
            throw invalid_argument("Couplings", "J.rows()", J_.rows(),
                                   "must be square and non-empty, J.cols() = " + std::to_string(J_.cols()));
        detail::require_finite("Couplings", "J", J_.data(), std::size_t(J_.size()));
        // Symmetry is what makes the energy a Lyapunov function; tolerate rounding only.
        const double asym = double((J_ - J_.transpose()).cwiseAbs().maxCoeff());
        const double tol = 1e-5 * std::max(1.0, double(J_.cwiseAbs().maxCoeff()));
        if (asym > tol)
            throw invalid_argument("Couplings", "max|J - J^T|", asym, "J must be symmetric");
        J_ = (Scalar(0.5) * (J_ + J_.transpose())).eval();
    }

    /// \brief Hebb rule J = (1/d) sum_mu x_mu x_mu^T.
    static Couplings hebb(PatternView<Scalar> X, SelfCoupling self = SelfCoupling::zero) {
        check_patterns("Couplings::hebb", X);
        const Eigen::MatrixXd x = X.matrix().template cast<double>();
        Eigen::MatrixXd J = x.transpose() * x / double(X.dim());
        return finish(J, self);
    }

    /// \brief Storkey rule: for each pattern xi in turn, with h_ij = sum_{k != i,j} J_ik xi_k,
    /// J_ij += (xi_i xi_j - xi_i h_ji - h_ij xi_j) / d.
    static Couplings storkey(PatternView<Scalar> X, SelfCoupling self = SelfCoupling::zero) {
        check_patterns("Couplings::storkey", X);
        const Index d = X.dim();
        Eigen::MatrixXd J = Eigen::MatrixXd::Zero(d, d);
        Eigen::VectorXd xi(d);
        for (Index mu = 0; mu < X.size(); ++mu) {
            for (Index i = 0; i < d; ++i) xi[i] = double(X.row(mu)[i]);
            // local fields without self-term: H_i = sum_{k != i} J_ik xi_k
            const Eigen::VectorXd H = J * xi - J.diagonal().cwiseProduct(xi);
            // h_ij = H_i - J_ij xi_j  (k = j removed; k = i already excluded)
            Eigen::MatrixXd h = H.replicate(1, d) - J * xi.asDiagonal();
            Eigen::MatrixXd delta = xi * xi.transpose() - xi.asDiagonal() * h.transpose() -
                                    h * xi.asDiagonal();
            J += delta / double(d);
        }
        return finish(J, self);
    }

    /// \brief Pseudo-inverse (projection) rule J = (1/d) X^T C^{-1} X, C = X X^T / d.
    /// Throws if the patterns are linearly dependent (C singular).
    static Couplings pseudo_inverse(PatternView<Scalar> X, SelfCoupling self = SelfCoupling::zero) {
        check_patterns("Couplings::pseudo_inverse", X);
        const Eigen::MatrixXd x = X.matrix().template cast<double>();  // N x d
        const Eigen::MatrixXd C = x * x.transpose() / double(X.dim());
        Eigen::FullPivLU<Eigen::MatrixXd> lu(C);
        if (lu.rank() < X.size())
            throw invalid_argument("Couplings::pseudo_inverse", "patterns.rank", lu.rank(),
                                   "patterns must be linearly independent (N = " +
                                       std::to_string(X.size()) + ")");
        Eigen::MatrixXd J = x.transpose() * lu.solve(x) / double(X.dim());
        return finish(J, self);
    }

    /// \brief Number of neurons d.
    Index dim() const noexcept { return J_.rows(); }
    /// \brief The coupling matrix (d x d, row-major, symmetric).
    const RowMatrix<Scalar>& matrix() const noexcept { return J_; }

    /// \brief h = J sigma (the true field; the returned log scale is 0).
    double fields(const Scalar* sigma, Scalar* h) const noexcept {
        kernel::similarity(PatternView<Scalar>(J_.data(), dim(), dim(), PatternView<Scalar>::trusted), sigma,
                           Scalar(1), h);
        return 0.0;
    }

    /// \brief E(sigma) = -sigma^T J sigma / 2, accumulated in double.
    double energy(const Scalar* sigma) const {
        double e = 0;
        for (Index i = 0; i < dim(); ++i) {
            double row = 0;
            for (Index j = 0; j < dim(); ++j) row += double(J_(i, j)) * double(sigma[j]);
            e += row * double(sigma[i]);
        }
        return -0.5 * e;
    }

private:
    static void check_patterns(const char* where, PatternView<Scalar> X) {
        if (X.size() == 0) throw invalid_argument(where, "patterns.size()", 0, "memory must not be empty");
        detail::require_binary(where, "patterns", X.data(), std::size_t(X.size() * X.dim()));
    }

    static Couplings finish(Eigen::MatrixXd& J, SelfCoupling self) {
        // Every rule is symmetric in exact arithmetic; symmetrize away the rounding so that
        // incremental dynamics may read column i as row i.
        J = (0.5 * (J + J.transpose())).eval();
        if (self == SelfCoupling::zero) J.diagonal().setZero();
        return Couplings(RowMatrix<Scalar>(J.template cast<Scalar>()));
    }

    RowMatrix<Scalar> J_;
};

}  // namespace hopfield
