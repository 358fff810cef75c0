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
// RMSE is in octaves of η. The same rules are fitted to the stability edge.
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
// # Seeds, ridge estimators and the stability edge
//
// Seeds are aggregated per cell (Cell: mean, s.d., n, standard error); a
// cell's standard error uses the larger of its own s.d. and the sweep's
// pooled per-seed s.d., as the s.d. of two or three seeds is itself noisy.
// Cells within one standard error of the difference from their b's best
// are marked NearBest.
//
// The best η of each b is read three ways (Estimators): the argmax of the
// seed mean, the vertex of the parabola through the argmax and its two η
// neighbours in log2 η, and the accuracy-weighted centroid of the NearBest
// cells. The rules are fitted to the parabola ridge (FitEstimator).
//
// The stability edge of a b is the largest η that still trains (RunTrains:
// neither diverged nor stopped early by the stall rule of
// training.stop_early, final training loss ≤ TrainMargin × the initial
// loss, or the loss at chance when the initial one is unknown), below the
// first η from which nothing trains; a cell trains when a strict majority
// of its seeds do. The rules are fitted to the edge too, at the middle of its
// bracket in log2 η.
//
// # Censored points
//
// A best η at the grid's top or bottom η (more exactly, at the highest or
// lowest η of its b with a done, diverged or stopped seed) says only that
// the optimum is there or beyond it, and an edge at the highest such η that
// the optimum's edge is there or higher: such points are censored
// (Censoring). They are drawn hollow and left out of every rule fit, and
// each bootstrap replicate leaves out the points censored in it. With
// fewer than MinRidgeFitPoints ridge points (MinRidgePoints edge points)
// inside the grid no rule is fitted, drawn or ranked, and the Comparison's
// verdict says how many points lie inside and which way to extend
// learning_rates, e.g. "0 of 3 points inside the grid; extend
// learning_rates above 2^-6.6".
//
// # Intervals and the verdict
//
// Every estimate and fit has a percentile bootstrap interval (Options:
// DefaultReplicates, a fixed PCG seed): seeds are resampled within each
// cell; a one-seed cell gets Gaussian noise of the pooled s.d. instead, and
// each edge is drawn uniformly within its bracket. Rules are compared by
// AIC, n·ln(RSS/n) + 2k, so the free ρ pays for itself, with the paired
// bootstrap of the AIC differences: a rule wins only when it beats every
// other rule in the whole interval (Comparison); otherwise the summary says
// the rules are indistinguishable at this noise. Summary.Best is that
// winner on the ridge, and empty when there is none (or nothing was
// fitted).
//
// LSSR with replacement is McCandlish et al.'s noise-scale rule with
// B_simple = 1/ρ − 1 (NoiseScaleNote).
//
// # Predictions at other batch sizes
//
// Summary.Predict evaluates the fitted rules at batch sizes inside or
// beyond the grid: the best η from RidgeFits, the stability edge from
// EdgeFits, each with the Level percentile interval of the value that every
// bootstrap replicate's refit (kept in the Comparison, not in fit.json)
// gives at that b, and a flag when b lies outside the batch sizes fitted.
// The rule is the comparison's winner; when none wins it is LSSR (the
// measured ρ, else ρ free), whose interval then leaves out which rule
// holds, so the other rules' predictions come beside it. When
// Summary.NoRuleFits holds (nothing fitted, or no ridge: accuracy flat in η
// within seed noise, or a best η the bootstrap cannot place) nothing is
// predicted and the reason is given.
//
// # Caveats
//
// The bootstrap treats the grid as fixed: the argmax and the edge cannot
// move off it, so their intervals are quantised, and with one seed per cell
// the ridge's noise is modelled, not measured. The edge-fit RMSE intervals
// include the spread of the edge within its bracket, so they sit above the
// RMSE at the bracket middles. A replicate refits the batch sizes whose
// point the data put inside the grid, less those censored in that
// replicate; replicates left with too few points are dropped from the
// intervals (Comparison.Replicates counts the others).
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
// # Training curves
//
// When runs carry their epoch series (Run.Series), Write draws curves.png:
// for the best cell of each b (Summary.Ridge, the argmax the parabola ridge
// refines), the mean over its done seeds of the training loss of each epoch
// (log scale) and of the test accuracy, each seed thin beside it. The test
// accuracy has a curve only where the sweep evaluated during training
// (training.eval_every); otherwise it is the final one, a marker per b at
// the last epoch.
//
// # Drawing the heatmap
//
// The colour scale spans the cells' values unless HeatmapOptions.Range
// fixes it or Clip narrows it to the band of the column bests (clipRange
// says how and why); cells beyond it take the end colour and the colour bar
// caps that end. Values prints each cell's value in black or white by its
// luminance. Every text is measured before it is placed: the legend
// (planLegend) moves its right column, shrinks its font or wraps, axis
// labels are thinned (thinTicks), and colour-bar labels that would collide
// are left out (layoutColorBar). The legend's cell thumbs are drawn by the
// plot's own drawCell.
//
// Write is the entry point (WriteWith and AnalyzeWith take Options); Ridge,
// EstimateRho and the Fit functions are the pieces it is made of. Write
// also writes fit.json (FitJSON), every number of the seed analysis.
package report
