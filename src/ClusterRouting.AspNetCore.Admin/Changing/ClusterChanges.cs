using ClusterRouting.Admin.Contract;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Admin;

/// <summary>
/// The console's changes, each through the engine's administration API (so a later configuration reload keeps it as
/// the engine documents: configuration wins only where its own value changed), each logged with the operator's name.
/// A change that finds no such cluster or member changes nothing and says so.
/// </summary>
internal sealed class ClusterChanges(ClusterDirectory clusters, ClusterReader reader, RoutingActivity activity, ILogger<ClusterChanges> logger)
{
    public Outcome<MemberDetail> SetEnabled(string cluster, string member, bool enabled, string user)
    {
        Outcome<IClusterAdministration> changed = clusters.Use<IClusterAdministration>(cluster, admin =>
            admin.SetMemberEnabled(member, enabled) ? Outcome(admin) : Problems.UnknownMember(cluster, member));
        if (changed.Problem is not null)
        {
            return changed.Problem;
        }

        Log.MemberEnabledChanged(logger, user, enabled ? "enabled" : "disabled", member, cluster);
        return reader.GetMember(cluster, member);
    }

    public Outcome<ClusterDetail> SetMode(string cluster, SelectionMode mode, string user)
    {
        Outcome<IClusterAdministration> changed = clusters.Use<IClusterAdministration>(cluster, admin =>
        {
            admin.Mode = mode;
            return Outcome(admin);
        });
        if (changed.Problem is not null)
        {
            return changed.Problem;
        }

        Log.ModeChanged(logger, user, cluster, mode);
        return reader.Get(cluster);
    }

    /// <returns>The problem, or <see langword="null"/> when the member was removed.</returns>
    public Problem? RemoveMember(string cluster, string member, string user)
    {
        Outcome<IClusterAdministration> removed = clusters.Use<IClusterAdministration>(cluster, admin =>
            admin.RemoveMember(member) ? Outcome(admin) : Problems.UnknownMember(cluster, member));
        if (removed.Problem is null)
        {
            Log.MemberRemoved(logger, user, member, cluster);
        }

        return removed.Problem;
    }

    /// <returns>The problem, or <see langword="null"/> when the cluster was removed.</returns>
    public Problem? RemoveCluster(string cluster, string user)
    {
        if (!clusters.Remove(cluster))
        {
            return Problems.UnknownCluster(cluster);
        }

        activity.Retain(clusters.Names);
        Log.ClusterRemoved(logger, user, cluster);
        return null;
    }

    private static Outcome<IClusterAdministration> Outcome(IClusterAdministration admin) => new(admin, null);
}
