package sweep

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ReadGridFile reads a grid file (YAML, or JSON, which is YAML too):
//
//	params:                # or the parameters at the top level
//	  fast: 5:50:5         # grid syntax: a range, a|b list or one value
//	  slow: {from: 20, to: 200, step: 10}
//	  weighting: [equal, cap]
//	where: fast < slow     # optional constraint
//
// It returns the entries (checked later against the strategy by NewGrid)
// and the where expression ("" if none).
func ReadGridFile(path string) ([]Entry, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("grid file: %w", err)
	}
	return ParseGridFile(path, data)
}

// ParseGridFile parses the contents of a grid file named path.
func ParseGridFile(path string, data []byte) ([]Entry, string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, "", fmt.Errorf("grid file %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil, "", fmt.Errorf("grid file %s: empty (want a mapping of parameters, e.g. fast: 5:50:5)", path)
	}
	root := doc.Content[0]
	at := func(n *yaml.Node) string { return fmt.Sprintf("%s:%d", path, n.Line) }
	if root.Kind != yaml.MappingNode {
		return nil, "", fmt.Errorf("%s: want a mapping of parameters (e.g. fast: 5:50:5), got a %s", at(root), kindName(root))
	}
	params := root
	where := ""
	hasParams := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "params" {
			hasParams = true
		}
	}
	if hasParams {
		params = nil
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			switch k.Value {
			case "params":
				if v.Kind != yaml.MappingNode {
					return nil, "", fmt.Errorf("%s: params must be a mapping of parameter: values, got a %s", at(v), kindName(v))
				}
				params = v
			case "where":
				if v.Kind != yaml.ScalarNode {
					return nil, "", fmt.Errorf("%s: where must be text such as \"fast < slow\"", at(v))
				}
				where = v.Value
			default:
				return nil, "", fmt.Errorf("%s: unknown key %q (valid keys: params, where)", at(k), k.Value)
			}
		}
	}
	var es []Entry
	for i := 0; i+1 < len(params.Content); i += 2 {
		k, v := params.Content[i], params.Content[i+1]
		if !hasParams && k.Value == "where" && v.Kind == yaml.ScalarNode {
			where = v.Value
			continue
		}
		text, err := valuesText(v)
		if err != nil {
			return nil, "", fmt.Errorf("%s: parameter %s: %s", at(v), k.Value, err)
		}
		es = append(es, Entry{Name: k.Value, Values: text, From: at(k)})
	}
	return es, where, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.ScalarNode:
		return "single value"
	}
	return "document"
}

// valuesText turns a YAML value into grid syntax.
func valuesText(v *yaml.Node) (string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		return strings.TrimSpace(v.Value), nil
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return "", fmt.Errorf("empty list")
		}
		parts := make([]string, len(v.Content))
		for i, c := range v.Content {
			if c.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("list item %d is a %s, want a single value", i+1, kindName(c))
			}
			if strings.ContainsAny(c.Value, "|,:") {
				return "", fmt.Errorf("list item %q may not contain | , or :", c.Value)
			}
			parts[i] = strings.TrimSpace(c.Value)
		}
		return strings.Join(parts, "|"), nil
	case yaml.MappingNode:
		r := map[string]string{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, x := v.Content[i], v.Content[i+1]
			switch k.Value {
			case "from", "to", "step":
				if x.Kind != yaml.ScalarNode {
					return "", fmt.Errorf("%s must be a number", k.Value)
				}
				r[k.Value] = strings.TrimSpace(x.Value)
			default:
				return "", fmt.Errorf("unknown range key %q (valid: from, to, step)", k.Value)
			}
		}
		if r["from"] == "" || r["to"] == "" {
			return "", fmt.Errorf("a range needs from and to (and optionally step)")
		}
		if r["step"] == "" {
			r["step"] = "1"
		}
		return r["from"] + ":" + r["to"] + ":" + r["step"], nil
	}
	return "", fmt.Errorf("want a range, a list or a value, got a %s", kindName(v))
}
