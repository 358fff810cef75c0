package main

// allFlagUsage is the --all flag's help, for the commands that select jobs
// (sweepdata.Select).
const allFlagUsage = "every stored job, also those outside the grid of the spec the sweep last ran (a shrunk grid keeps them)"
