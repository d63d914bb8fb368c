namespace ClusterRouting;

/// <summary>
/// The order in which weighted members take their turns: nginx's smooth weighted round robin, computed once per
/// snapshot. Each turn, every member's current weight grows by its weight and the member with the highest (the first
/// in order among equals) takes the turn and gives back the total; weights 5, 1, 1 give a, a, b, a, c, a, a. After
/// as many turns as the weights add up to, every current weight is back at 0, so the order repeats: round robin walks
/// it with a cursor, and a uniform draw from it picks each member in proportion to its weight.
/// </summary>
internal static class SmoothWeightedOrder
{
    // The most work one order may cost to build (turns times members), so that a cluster far over 10 members with
    // large weights does not hold the cluster's lock for long: past it, the weights are scaled down (each stays at least
    // 1) and the shares are approximate. Under 10 members with weights up to 100 and slow start's 20 steps from a
    // minimum that is a multiple of 5 %, the order is at most 20,000 turns long and never scaled; another minimum (a
    // ramp share in thousandths with a smaller common divisor) can make it longer, and scaled past the budget.
    private const int WorkBudget = 1 << 21;

    /// <summary>The order for <paramref name="weights"/> (each at least 1), as positions into it.</summary>
    public static int[] Build(int[] weights)
    {
        int count = weights.Length;
        var scaled = (int[])weights.Clone();
        int divisor = 0;
        long total = 0;
        foreach (int weight in scaled)
        {
            divisor = Gcd(divisor, weight);
        }

        for (int i = 0; i < count; i++)
        {
            scaled[i] /= divisor;
            total += scaled[i];
        }

        long maxTurns = Math.Max(count, WorkBudget / Math.Max(count, 1));
        if (total > maxTurns)
        {
            long unscaled = total;
            total = 0;
            for (int i = 0; i < count; i++)
            {
                scaled[i] = (int)Math.Max(1, scaled[i] * maxTurns / unscaled);
                total += scaled[i];
            }
        }

        var order = new int[total];
        var current = new long[count];
        for (int turn = 0; turn < order.Length; turn++)
        {
            int best = 0;
            for (int i = 0; i < count; i++)
            {
                current[i] += scaled[i];
                if (current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            order[turn] = best;
        }

        return order;
    }

    private static int Gcd(int left, int right)
    {
        while (right != 0)
        {
            (left, right) = (right, left % right);
        }

        return left;
    }
}
