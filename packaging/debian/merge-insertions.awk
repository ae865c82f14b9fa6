# merge-insertions.awk: used by packaging/debian/build --refresh.
# Resolves the diff3-style conflicts of git merge-file where the series
# (theirs) and Debian (ours) change adjacent lines but not the same ones:
# theirs = base + insertion becomes ours + insertion (and the mirror
# image); where Debian deleted the start or end of the region and the
# series changed only the rest, theirs without those lines.  Exits 1 if a
# conflict is of another kind (then it needs a hand).
function flush(   i, k, ok) {
	ok = 1
	if (nt >= nb) {
		for (i = 1; i <= nb; i++) if (t[i] != b[i]) ok = 0
		if (ok) {
			for (i = 1; i <= no; i++) print o[i]
			for (i = nb + 1; i <= nt; i++) print t[i]
			return
		}
		ok = 1
		for (i = 1; i <= nb; i++) if (t[nt - nb + i] != b[i]) ok = 0
		if (ok) {
			for (i = 1; i <= nt - nb; i++) print t[i]
			for (i = 1; i <= no; i++) print o[i]
			return
		}
	}
	# Debian deleted the start (end) of the region, which the patch
	# leaves as it is before (after) its own change: drop it from theirs.
	ok = (no <= nb && nt >= nb - no)
	for (i = 1; ok && i <= no; i++) if (o[i] != b[nb - no + i]) ok = 0
	for (i = 1; ok && i <= nb - no; i++) if (t[i] != b[i]) ok = 0
	if (ok) {
		for (i = nb - no + 1; i <= nt; i++) print t[i]
		return
	}
	ok = (no <= nb && nt >= nb - no)
	for (i = 1; ok && i <= no; i++) if (o[i] != b[i]) ok = 0
	for (i = 1; ok && i <= nb - no; i++) if (t[nt - (nb - no) + i] != b[no + i]) ok = 0
	if (ok) {
		for (i = 1; i <= nt - (nb - no); i++) print t[i]
		return
	}
	bad = 1
}
/^<<<<<<< / { state = "o"; no = nb = nt = 0; next }
/^\|\|\|\|\|\|\| / && state == "o" { state = "b"; next }
/^=======$/ && state == "b" { state = "t"; next }
/^>>>>>>> / && state == "t" { flush(); state = ""; next }
state == "o" { o[++no] = $0; next }
state == "b" { b[++nb] = $0; next }
state == "t" { t[++nt] = $0; next }
{ print }
END { exit bad }
