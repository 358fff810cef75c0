// Package slurm runs a sweep's jobs on a Slurm cluster as an
// orchestrator.Executor: jobs go out as sbatch array tasks, each running
// `lssr job run` on its task file in the sweep's shared folder, and come
// back as result files that Executor.Run validates and returns for the
// orchestrator to store. The package owns both ends of that file protocol:
// the submitting side (WriteTask, ReadResult) and the compute node's
// (ReadTask, WriteResult, which `lssr job run` calls). Nothing here opens
// the database.
//
// The shared folder DIR, at the same path on every machine, holds:
//
//	DIR/jobs/ID.json               the job (TaskFile), written by the executor
//	DIR/checkpoints/ID.safetensors the job's latest checkpoint, written by the task
//	                               (or by the executor, from the store, to resume)
//	DIR/results/ID.json            its Result (ResultFile), written by the task
//	DIR/results/ID.weights         its final weights, when the job saves them
//	DIR/slurm/ID.id                the array task that runs or ran the job
//	DIR/arrays/STAMP.list, .sh     each submission's task list and script
//	DIR/logs/ARRAY_TASK.out        each task's output
//
// Every file is written atomically (temporary file, fsync, rename).
package slurm
