using System.Globalization;

namespace KamaChat.Bench;

/// <summary>CPU time of processes from /proc, a measure the machine's load does not change.</summary>
public static class ProcessCpu
{
    /// <summary>CPU a process has used so far, all its threads (utime + stime), without its children's.</summary>
    public static TimeSpan Of(int pid)
    {
        var fields = FieldsAfterName(File.ReadAllText($"/proc/{pid}/stat"));
        return FromTicks(fields[11] + fields[12]);
    }

    /// <summary>
    /// CPU used by a process and its children: its own time, its reaped children's (cutime, cstime) and its live
    /// children's — for PostgreSQL, the postmaster and every backend, those that exited included.
    /// </summary>
    public static TimeSpan TreeOf(int pid)
    {
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var id))
                continue;
            long[] fields;
            try
            {
                fields = FieldsAfterName(File.ReadAllText(Path.Combine(directory, "stat")));
            }
            catch (IOException)
            {
                continue; // exited while we looked: its time is in the parent's cutime by the next reading
            }
            // Fields after the name: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
            if (id == pid)
                ticks += fields[11] + fields[12] + fields[13] + fields[14];
            else if (fields[1] == pid)
                ticks += fields[11] + fields[12];
        }
        return FromTicks(ticks);
    }

    /// <summary>A process's parent (field 4 of /proc/PID/stat), or null when it is gone.</summary>
    public static int? ParentOf(int pid)
    {
        try
        {
            return (int)FieldsAfterName(File.ReadAllText($"/proc/{pid}/stat"))[1];
        }
        catch (IOException)
        {
            return null;
        }
    }

    // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its closing one, so
    // [0] is the state (field 3), [1] the ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
    private static long[] FieldsAfterName(string stat) =>
        stat[(stat.LastIndexOf(')') + 2)..].Split(' ').Select(f => long.TryParse(f, CultureInfo.InvariantCulture, out var v) ? v : 0).ToArray();

    // sysconf(_SC_CLK_TCK) is 100 on every Linux we run on.
    private static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds(ticks / 100.0);
}
