// Package report turns a finished (or half-finished) sweep into the picture
// and the numbers of Lee & Jang (ICLR 2023, section 5, Figure 5): a heatmap
// of test accuracy over batch size b and learning rate η, the best η of every
// b (the ridge), and least-squares fits of three scaling rules to that ridge:
//
//   - LSSR, ρ_b/η = C with ρ_b from eq. 17 (linear for small b, saturating
//     for large b);
//   - LSR, b/η = C;
//   - SRSR, √b/η = C.
//
// Every fit is a least-squares fit in log2 η, so C has a closed form and the
// RMSE is in octaves of η.
//
// # Which ρ
//
// ρ at the end of training collapses once the training set is fit (‖∇L‖² →
// 0), so it is not the ρ that sets the rule. The LSSR curve is drawn from the
// median of the ρ measured during training (Run.RhoSeries) over runs that
// finished; only when no run has a series does it fall back to the median of
// the final ρ. The summary says which statistic was used and how many
// measurements it came from. LSSR with ρ free (two parameters) is reported
// beside it.
//
// # Caveats
//
// The best rule is the one-parameter fit with the lowest RMSE. That ranking
// ignores seed noise: on a flat accuracy plateau the per-b argmax is noise,
// and so is the ranking. The ridge table reports the spread over seeds.
//
// # Curvature figures
//
// When runs carry their measurement series (Run.Measurements), Write also
// draws ρ_b against b (Figure 5 left: eq. 17's curve at the LSSR ρ, the
// measured eq. 17 values and the directly sampled ρ_b per b), one figure of
// λ1, the IAS and the instability ratio against the step per job with
// curvature (Figure 4), and the one-step loss change against the
// instability ratio in units where eq. 7 is y = x − 1 (Figure 1).
//
// Write is the entry point; Ridge, EstimateRho and the Fit functions are the
// pieces it is made of.
package report
