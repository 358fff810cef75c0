package trainer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/safetensors"
)

// stateDict returns the network's current weights as the bytes of a
// safetensors file: float32 tensors with PyTorch's state_dict names and
// shapes (see stateTensors; batch norm's running statistics included), so
// torch.nn.Sequential.load_state_dict and `lssr measure` read them as they
// are. The metadata says what the weights belong to, so the file makes
// sense without the sweep: "lssr.model" (the ModelSpec as JSON),
// "lssr.loss", "lssr.job" (the job ID), "lssr.dim" and "lssr.classes"
// (decimal) and "lssr.shape" (the input's [c, h, w] as JSON, all zero for
// data that are not images).
func (r *run) stateDict(job lssr.Job) ([]byte, error) {
	tensors := stateTensors(r.net, r.net.parameters(), "", true)
	model, err := json.Marshal(job.Model)
	if err != nil {
		return nil, fmt.Errorf("trainer: weights of job %s: %w", job.ID, err)
	}
	shape, err := json.Marshal(r.data.Shape)
	if err != nil {
		return nil, fmt.Errorf("trainer: weights of job %s: %w", job.ID, err)
	}
	metadata := map[string]string{
		"lssr.model":   string(model),
		"lssr.loss":    string(job.Loss),
		"lssr.job":     job.ID,
		"lssr.dim":     strconv.Itoa(r.data.Dim),
		"lssr.classes": strconv.Itoa(r.data.Classes),
		"lssr.shape":   string(shape),
	}
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, tensors, metadata); err != nil {
		return nil, fmt.Errorf("trainer: weights of job %s: %w", job.ID, err)
	}
	return buf.Bytes(), nil
}
