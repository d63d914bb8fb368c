using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Admin;

/// <summary>Reads the clusters for the console: the list, one cluster in detail, and every cluster for the live page.</summary>
internal sealed class ClusterReader(ClusterDirectory clusters, RoutingActivity activity, TimeProvider time)
{
    public ClusterList List()
    {
        var summaries = new List<ClusterSummary>();
        foreach (string name in Sorted(clusters.Names))
        {
            if (StatusOf(name) is ClusterStatus status)
            {
                summaries.Add(ClusterDetails.SummaryOf(status));
            }
        }

        return new ClusterList(summaries);
    }

    public Outcome<ClusterDetail> Get(string name) => clusters.Use<ClusterDetail>(name, admin => Detail(admin.GetStatus()));

    public Outcome<MemberDetail> GetMember(string cluster, string member) => clusters.Use<MemberDetail>(cluster, admin =>
    {
        ClusterDetail detail = Detail(admin.GetStatus());
        foreach (MemberDetail candidate in detail.Members)
        {
            if (string.Equals(candidate.Id, member, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return Problems.UnknownMember(cluster, member);
    });

    public Overview Overview()
    {
        IReadOnlyCollection<string> names = clusters.Names;
        activity.Retain(names);
        var details = new List<ClusterDetail>(names.Count);
        foreach (string name in Sorted(names))
        {
            if (StatusOf(name) is ClusterStatus status)
            {
                details.Add(Detail(status));
            }
        }

        return new Overview(time.GetUtcNow(), details);
    }

    private ClusterDetail Detail(ClusterStatus status)
    {
        var ids = new string[status.Members.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = status.Members[i].Id;
        }

        return ClusterDetails.From(status, activity.Read(status.ClusterName, ids), activity.Empty());
    }

    /// <summary>The cluster's status, or <see langword="null"/> when it was removed meanwhile or cannot be created (its options are invalid, which start-up validation reports).</summary>
    private ClusterStatus? StatusOf(string name) =>
        clusters.Use<ClusterStatus>(name, admin => admin.GetStatus()).Value;

    private static string[] Sorted(IReadOnlyCollection<string> names)
    {
        string[] sorted = names.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }
}
