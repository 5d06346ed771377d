// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: firmware image loading, validation and boot.
 *
 * The image is fetched once at probe with request_firmware(), validated
 * with the contract's ares_fw_header_check() plus the payload CRC (its
 * signature only the device can verify), and
 * copied into a DMA-coherent buffer that stays allocated for the life of
 * the binding: every device reset reboots the firmware from that copy.
 */

#include <linux/crc32.h>
#include <linux/dma-mapping.h>
#include <linux/firmware.h>
#include <linux/string.h>

#include <drm/drm_drv.h>

#include "ares_drv.h"
#include "ares_fw.h"
#include "ares_hw.h"

#include "ares/fw_image.h"

MODULE_FIRMWARE(ARES_FW_NAME);

/* zlib's crc32(): the kernel's crc32_le() with pre- and post-inversion. */
static u32 ares_crc32(const void *p, size_t n)
{
	return crc32_le(~0u, p, n) ^ ~0u;
}

static const char *ares_boot_err_name(u32 code)
{
	switch (code) {
	case ARES_BOOT_ERR_BAD_MAGIC:
		return "bad magic";
	case ARES_BOOT_ERR_BAD_HEADER:
		return "bad header (version, size, reserved field or header CRC)";
	case ARES_BOOT_ERR_BAD_SIZE:
		return "payload size disagrees with the image";
	case ARES_BOOT_ERR_BAD_CRC:
		return "payload CRC mismatch";
	case ARES_BOOT_ERR_LOAD:
		return "payload is not a loadable CP image";
	case ARES_BOOT_ERR_ENTRY:
		return "entry point outside the payload";
	case ARES_BOOT_ERR_INIT:
		return "firmware failed its own initialisation";
	case ARES_BOOT_ERR_DMA:
		return "image address outside host memory";
	case ARES_BOOT_ERR_TIMEOUT:
		return "firmware did not report READY in time";
	case ARES_BOOT_ERR_BAD_SIGNATURE:
		return "firmware signature rejected by the boot ROM";
	case ARES_CTRL_ERR_NOT_READY:
		return "firmware already running";
	case ARES_CTRL_ERR_BAD_ARG:
		return "bad argument";
	case ARES_CTRL_ERR_UNKNOWN_CMD:
		return "unknown command";
	default:
		return "unknown error";
	}
}

/* Refuses a firmware version outside the declared range, naming both. */
static int ares_fw_check_compat(struct ares_device *adev, const char *what,
				u32 v)
{
	if (v >= ARES_FW_COMPAT_MIN && v <= ARES_FW_COMPAT_MAX)
		return 0;
	drm_err(&adev->drm,
		"%s firmware version %u.%u.%u is incompatible with driver %s %d.%d.%d, which supports firmware %u.%u.%u to %u.%u.%u\n",
		what, ARES_VERSION_MAJOR(v), ARES_VERSION_MINOR(v),
		ARES_VERSION_PATCH(v), adev->drm.driver->name,
		adev->drm.driver->major, adev->drm.driver->minor,
		adev->drm.driver->patchlevel,
		ARES_VERSION_MAJOR(ARES_FW_COMPAT_MIN),
		ARES_VERSION_MINOR(ARES_FW_COMPAT_MIN),
		ARES_VERSION_PATCH(ARES_FW_COMPAT_MIN),
		ARES_VERSION_MAJOR(ARES_FW_COMPAT_MAX),
		ARES_VERSION_MINOR(ARES_FW_COMPAT_MAX),
		ARES_VERSION_PATCH(ARES_FW_COMPAT_MAX));
	return -EINVAL;
}

static int ares_fw_validate(struct ares_device *adev, const u8 *data,
			    size_t size)
{
	struct ares_fw_header hdr;
	u32 code, crc;

	if (size < sizeof(hdr)) {
		drm_err(&adev->drm, "firmware %s: %zu bytes, smaller than its %zu-byte header\n",
			ARES_FW_NAME, size, sizeof(hdr));
		return -EINVAL;
	}
	memcpy(&hdr, data, sizeof(hdr));
	hdr.header_crc32 = 0;
	crc = ares_crc32(&hdr, sizeof(hdr));
	memcpy(&hdr, data, sizeof(hdr));

	code = ares_fw_header_check(&hdr, size, crc);
	if (code) {
		drm_err(&adev->drm, "firmware %s refused: %s (0x%x)\n",
			ARES_FW_NAME, ares_boot_err_name(code), code);
		if (code == ARES_BOOT_ERR_BAD_HEADER && le32_to_cpu(hdr.header_crc32) != crc)
			drm_err(&adev->drm, "firmware %s: header CRC 0x%08x, computed 0x%08x\n",
				ARES_FW_NAME, le32_to_cpu(hdr.header_crc32), crc);
		return -EINVAL;
	}

	/* The signature trailer is the boot ROM's to check: it holds the key. */
	crc = ares_crc32(data + ARES_FW_HEADER_SIZE, le64_to_cpu(hdr.payload_size));
	if (crc != le32_to_cpu(hdr.payload_crc32)) {
		drm_err(&adev->drm, "firmware %s refused: payload CRC 0x%08x, header says 0x%08x\n",
			ARES_FW_NAME, crc, le32_to_cpu(hdr.payload_crc32));
		return -EINVAL;
	}

	if (le32_to_cpu(hdr.min_hw_version) > adev->hw_version) {
		drm_err(&adev->drm, "firmware %s refused: needs hardware 0x%06x, device is 0x%06x\n",
			ARES_FW_NAME, le32_to_cpu(hdr.min_hw_version),
			adev->hw_version);
		return -EINVAL;
	}

	if (ares_fw_check_compat(adev, ARES_FW_NAME,
				 le32_to_cpu(hdr.fw_version)))
		return -EINVAL;
	adev->fw_image_version = le32_to_cpu(hdr.fw_version);

	drm_dbg_driver(&adev->drm, "firmware %s: version 0x%06x, %llu-byte payload\n",
		       ARES_FW_NAME, le32_to_cpu(hdr.fw_version),
		       le64_to_cpu(hdr.payload_size));
	return 0;
}

/**
 * ares_fw_load() - fetch, validate and keep the firmware image
 * @adev: device
 *
 * Return: 0 or a negative errno; a refused image is -EINVAL.
 */
int ares_fw_load(struct ares_device *adev)
{
	const struct firmware *fw;
	int ret;

	ret = request_firmware(&fw, ARES_FW_NAME, adev->drm.dev);
	if (ret) {
		drm_err(&adev->drm, "cannot load firmware %s: %d\n",
			ARES_FW_NAME, ret);
		return ret;
	}

	ret = ares_fw_validate(adev, fw->data, fw->size);
	if (ret)
		goto out;

	adev->fw_cpu = dmam_alloc_coherent(adev->drm.dev, fw->size,
					   &adev->fw_dma, GFP_KERNEL);
	if (!adev->fw_cpu) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(adev->fw_cpu, fw->data, fw->size);
	adev->fw_size = fw->size;
out:
	release_firmware(fw);
	return ret;
}

/**
 * ares_fw_boot() - boot the kept image on a freshly reset device
 * @adev: device
 *
 * Return: 0 once the firmware reported READY, else a negative errno.
 */
int ares_fw_boot(struct ares_device *adev)
{
	u32 result, status, boot;
	int ret;

	ret = ares_ctrl_cmd(adev, ARES_CTRL_BOOT, adev->fw_dma, adev->fw_size,
			    &result);
	if (ret)
		return ret;

	boot = ares_rd32(adev, ARES_REG_BOOT_STATUS);
	if (result) {
		drm_err(&adev->drm, "firmware boot failed: %s (result 0x%x, BOOT_STATUS 0x%x)\n",
			ares_boot_err_name(result), result, boot);
		return -EIO;
	}

	status = ares_rd32(adev, ARES_REG_STATUS);
	if (boot != ARES_BOOT_READY || !(status & ARES_STATUS_FW_READY)) {
		drm_err(&adev->drm, "firmware boot acknowledged but not ready: BOOT_STATUS 0x%x (%s), STATUS 0x%x\n",
			boot, boot >= ARES_BOOT_ERR_BAD_MAGIC ?
			ares_boot_err_name(boot) : "no error",
			status);
		return -EIO;
	}

	/* The image header may lie: the running firmware has the last word. */
	if (ares_fw_check_compat(adev, "running",
				 ares_rd32(adev, ARES_REG_FW_VERSION)))
		return -EINVAL;
	WRITE_ONCE(adev->fw_version, ares_rd32(adev, ARES_REG_FW_VERSION));
	WRITE_ONCE(adev->fw_features, ares_rd32(adev, ARES_REG_FW_FEATURES));
	drm_dbg_driver(&adev->drm, "firmware %u.%u.%u running, features 0x%x\n",
		       ARES_VERSION_MAJOR(adev->fw_version),
		       ARES_VERSION_MINOR(adev->fw_version),
		       ARES_VERSION_PATCH(adev->fw_version),
		       adev->fw_features);
	return 0;
}
