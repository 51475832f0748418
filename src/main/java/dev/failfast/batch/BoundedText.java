package dev.failfast.batch;

import java.util.regex.Pattern;

/**
 * Searches a client's regular expression in an error message within a fixed budget of
 * character reads. Java's regex engine backtracks: an expression such as {@code (a+)+b}
 * takes exponential time on a long run of {@code a}s, and an error message is text a
 * target chose. Each character the matcher reads costs one unit; past the budget the
 * search stops and counts as no match, so a rule costs at most a few milliseconds of the
 * thread that settles attempts.
 */
final class BoundedText implements CharSequence {

    /** Character reads one search may make: some hundred times a 4 KiB message. */
    static final int BUDGET = 1_000_000;

    private final CharSequence text;

    private final int[] left;

    private BoundedText(CharSequence text, int[] left) {
        this.text = text;
        this.left = left;
    }

    /** Whether {@code pattern} is found in {@code text} within the budget. */
    static boolean find(Pattern pattern, String text) {
        try {
            return pattern.matcher(new BoundedText(text, new int[] { BUDGET })).find();
        }
        catch (BudgetExceeded e) {
            return false;
        }
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        if (--left[0] < 0) {
            throw new BudgetExceeded();
        }
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BoundedText(text.subSequence(start, end), left);
    }

    @Override
    public String toString() {
        return text.toString();
    }

    private static final class BudgetExceeded extends RuntimeException {

        private static final long serialVersionUID = 1L;

        BudgetExceeded() {
            super(null, null, false, false);
        }

    }

}
