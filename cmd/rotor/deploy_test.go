package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// shellWords splits a command line on blanks, honouring single quotes and
// backslash-newline continuations (enough for the deploy scripts).
func shellWords(s string) []string {
	s = strings.ReplaceAll(s, "\\\n", " ")
	var out []string
	var cur strings.Builder
	in, has := false, false
	for _, c := range s {
		switch {
		case c == '\'':
			in, has = !in, true
		case !in && (c == ' ' || c == '\n' || c == '\t'):
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(c)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// sweepFlags returns the arguments after "rotor sweep" with the data and
// output flags replaced by test values.
func sweepFlags(t *testing.T, words []string, out string) []string {
	t.Helper()
	start := -1
	for i := 0; i+1 < len(words); i++ {
		if words[i] == "rotor" && words[i+1] == "sweep" {
			start = i + 2
		}
	}
	if start < 0 {
		t.Fatalf("no rotor sweep in %q", words)
	}
	args := []string{"sweep"}
	for i := start; i < len(words); i++ {
		switch words[i] {
		case "--data", "--rates", "--out", "-j", "--progress-every":
			i++ // replaced below
		default:
			args = append(args, words[i])
		}
	}
	return append(args, "--symbols", "AAPL,MSFT", "--out", out, "--quiet", "--top", "0")
}

// The shipped Kubernetes Indexed Job and Slurm array run shards that,
// merged, equal one unsharded run of the same command.
func TestDeployShards(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "sweep-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Template       struct {
				Spec struct {
					Containers []struct {
						Env []struct {
							Name  string `yaml:"name"`
							Value string `yaml:"value"`
						} `yaml:"env"`
						Args []string `yaml:"args"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &job); err != nil {
		t.Fatal(err)
	}
	c := job.Spec.Template.Spec.Containers[0]
	count := ""
	for _, e := range c.Env {
		if e.Name == "ROTOR_SHARD_COUNT" {
			count = e.Value
		}
	}
	if job.Spec.CompletionMode != "Indexed" || count != fmt.Sprint(job.Spec.Completions) {
		t.Fatalf("completionMode %q, completions %d, ROTOR_SHARD_COUNT %q", job.Spec.CompletionMode, job.Spec.Completions, count)
	}
	script, err := os.ReadFile(filepath.Join("..", "..", "deploy", "sweep.slurm"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(script)
	if !strings.Contains(body, "#SBATCH --array=0-7") {
		t.Fatal("sweep.slurm: no --array=0-7")
	}
	k8s := shellWords(strings.Join(c.Args, " "))
	slurm := shellWords(body[strings.Index(body, "exec rotor sweep"):])

	ref := filepath.Join(dir, "ref.parquet")
	if _, e, code := sweepCmd(context.Background(), sweepFlags(t, k8s, ref)...); code != 0 {
		t.Fatalf("unsharded run: %s", e)
	}
	_, _, want := tableRows(t, ref)
	for _, sys := range []struct {
		name  string
		words []string
		env   func(i int) map[string]string
	}{
		{"kubernetes", k8s, func(i int) map[string]string {
			return map[string]string{"JOB_COMPLETION_INDEX": fmt.Sprint(i), "ROTOR_SHARD_COUNT": count}
		}},
		{"slurm", slurm, func(i int) map[string]string {
			return map[string]string{"SLURM_ARRAY_TASK_ID": fmt.Sprint(i), "SLURM_ARRAY_TASK_COUNT": "8", "SLURM_ARRAY_TASK_MIN": "0"}
		}},
	} {
		t.Run(sys.name, func(t *testing.T) {
			var parts []string
			for i := 0; i < 8; i++ {
				for k, v := range sys.env(i) {
					t.Setenv(k, v)
				}
				p := filepath.Join(dir, fmt.Sprintf("%s-%d.parquet", sys.name, i))
				if _, e, code := sweepCmd(context.Background(), sweepFlags(t, sys.words, p)...); code != 0 || !strings.Contains(e, fmt.Sprintf("shard %d/8", i)) {
					t.Fatalf("shard %d: exit %d: %s", i, code, e)
				}
				parts = append(parts, p)
			}
			merged := filepath.Join(dir, sys.name+".parquet")
			if _, e, code := sweepCmd(context.Background(), append([]string{"results", "merge", merged}, parts...)...); code != 0 {
				t.Fatalf("merge: %s", e)
			}
			if _, _, got := tableRows(t, merged); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatal("merged shards differ from the unsharded run")
			}
		})
	}
}
