// Package search decides which cells of a sweep's grid to run when the spec
// asks for a guided search (`search: {strategy: lssr}`): the grid defines
// the cells allowed, and the Planner picks, round by round, the ones worth
// running, from the results stored so far.
//
// # The strategy
//
//  1. Reference batch sizes: the smallest, the middle and the largest of
//     the grid. Each is scanned coarsely (about one η per octave, with
//     Settings.ScanSeeds seeds), then refined: the neighbours of its best η
//     so far are run until the best has both neighbours, and its stability
//     edge (the largest η that trains, report.RunTrains) is bisected down to
//     adjacent grid values. The best cell and its two neighbours then get
//     every seed.
//  2. Predictions: the report's analysis of the reference runs fits
//     ρ_b/η = C twice (with the measured ρ and with ρ free) to their best η
//     and to their edges, and the reference points are also interpolated
//     in log2 b. At every other batch size the predictors give a span of
//     best log2 η and one of edges.
//  3. The band: every other batch size runs the cells within Settings.Band
//     octaves of its predicted best η, and the two cells around its
//     predicted edge. It is then refined as a reference is: where the best
//     cell lands on the border of the cells run, its outer neighbour is run
//     (the band widens), the edge is stepped or bisected until a cell that
//     trains sits next to one that does not, and the best cell and its
//     neighbours get every seed.
//  4. When every batch size's best is interior and its edge is found (or
//     the grid is exhausted), the search is done and every cell not run is
//     skipped, with the reason.
//
// The plan is a pure function of the stored outcomes: a resumed search,
// given the same results, makes the same decisions. Predictions use the
// reference runs only, so the band does not move as the other batch sizes
// fill in.
package search
