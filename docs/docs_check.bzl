"""cited_labels: proves at analysis time that every label the docs cite exists.

The rule depends on the labels (so Bazel fails to analyse it, naming the
label, when a target disappears) but builds none of them: it only writes
their names to a file, which check_docs.py reads in the test.
"""

def _cited_labels_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".txt")
    ctx.actions.write(out, "\n".join([str(t.label) for t in ctx.attr.labels]) + "\n")
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

cited_labels = rule(
    implementation = _cited_labels_impl,
    attrs = {
        "labels": attr.label_list(allow_files = True),
    },
    doc = "Writes the (existing) labels it depends on to <name>.txt.",
)
